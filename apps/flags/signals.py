"""Signals of the flags app, for apps above it (the incidents timeline).

``flag_state_changed(sender=FlagState, state, previous, actor)`` is sent after the
transaction that inserted ``state`` commits (``previous`` is the state row that was in
force for the same flag and scope before it, or ``None``). Receivers must not raise: the
change is already committed.
"""

from django.dispatch import Signal

flag_state_changed = Signal()
