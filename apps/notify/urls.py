from django.urls import path

from apps.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.channel_list, name="channels"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/disable/", views.channel_disable, name="channel_disable"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<uuid:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("contact-methods/", views.contact_methods, name="contact_methods"),
    path(
        "contact-methods/<int:pk>/delete/",
        views.contact_method_delete,
        name="contact_method_delete",
    ),
    path("contact-methods/<int:pk>/test/", views.contact_method_test, name="contact_method_test"),
]
