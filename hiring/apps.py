from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hiring"
    verbose_name = "Hiring"

    def ready(self) -> None:
        """Sign-ins, sign-outs, failed sign-ins and lockouts go to the audit log."""
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from hiring import audit

        user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="hiring.audit.login")
        user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="hiring.audit.logout")
        user_login_failed.connect(
            audit.on_user_login_failed, dispatch_uid="hiring.audit.login_failed"
        )
        user_locked_out.connect(audit.on_user_locked_out, dispatch_uid="hiring.audit.locked_out")
