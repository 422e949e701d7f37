"""On-call API views: who is on call, schedules and feeds; teams, policies and pages."""
