"""The notifications resource: built from ``HIPPIQUE_ALERT_*``, off until configured, secrets through
EnvVar, and sending from inside a Dagster run to real receivers on loopback."""

# No postponed annotations here: Dagster reads the asset's parameter annotations as classes.

import pytest
from dagster import AssetExecutionContext, asset, materialize

from hippique_assets.alerts import Alert
from hippique_assets.defs.alerts.alert_settings import AlertSettings
from hippique_assets.defs.alerts.resources import NotificationsResource, build_notifications
from hippique_assets.settings_errors import SettingsError
from hippique_assets_tests.alerts.receivers import Answer, WebhookReceiver, smtp_server

PASSWORD = "Pa55-w0rd-not-for-logs"
TOKEN_PATH = "/api/webhooks/123456789012345678/s3cr3t-t0ken-abcdef123456"


def test_off_unless_configured(alert: Alert) -> None:
    notifications = build_notifications({})
    assert not notifications.enabled
    assert notifications.process_config_and_initialize().send(alert) == []
    assert notifications.run_url("abc") is None


def test_secrets_reach_the_resource_as_env_vars_only(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "HIPPIQUE_ALERT_SMTP_HOST": "127.0.0.1",
        "HIPPIQUE_ALERT_SMTP_STARTTLS": "off",
        "HIPPIQUE_ALERT_SMTP_USER": "alerts",
        "HIPPIQUE_ALERT_SMTP_PASSWORD": PASSWORD,
        "HIPPIQUE_ALERT_EMAIL_FROM": "hippique@example.org",
        "HIPPIQUE_ALERT_EMAIL_TO": "ops@example.org, oncall@example.org ,",
        "HIPPIQUE_ALERT_WEBHOOK_URL": f"https://discord.com{TOKEN_PATH}",
        "HIPPIQUE_ALERT_ATTEMPTS": "4",
        "HIPPIQUE_ALERT_BACKOFF_S": "0.5",
        "HIPPIQUE_ALERT_BUDGET_S": "12",
        "HIPPIQUE_UI_URL": "https://ops.example.org/dagster/",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    notifications = build_notifications()
    assert PASSWORD not in repr(notifications) and TOKEN_PATH not in repr(notifications)
    assert notifications.smtp_port is None and not notifications.smtp_starttls
    assert notifications.email_to == ["ops@example.org", "oncall@example.org"]
    assert (notifications.attempts, notifications.backoff_s, notifications.budget_s) == (4, 0.5, 12.0)
    assert notifications.run_url("r-1") == "https://ops.example.org/dagster/runs/r-1"
    ready = notifications.process_config_and_initialize()
    assert ready.smtp_password == PASSWORD
    assert [(c.name, c.target) for c in ready.channels()] == [
        ("email", "smtp://127.0.0.1:25"),
        ("webhook", "https://discord.com"),
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HIPPIQUE_ALERT_SMTP_HOST": "smtp.example.org"}, "HIPPIQUE_ALERT_EMAIL_TO"),
        (
            {"HIPPIQUE_ALERT_SMTP_HOST": "smtp.example.org", "HIPPIQUE_ALERT_EMAIL_TO": "ops@example.org"},
            "sender",
        ),
        ({"HIPPIQUE_ALERT_SMTP_USER": "alerts"}, "go together"),
        (
            {
                "HIPPIQUE_ALERT_SMTP_HOST": "smtp.example.org",
                "HIPPIQUE_ALERT_SMTP_STARTTLS": "off",
                "HIPPIQUE_ALERT_SMTP_USER": "alerts",
                "HIPPIQUE_ALERT_SMTP_PASSWORD": PASSWORD,
                "HIPPIQUE_ALERT_EMAIL_FROM": "hippique@example.org",
                "HIPPIQUE_ALERT_EMAIL_TO": "ops@example.org",
            },
            "unencrypted",
        ),
        ({"HIPPIQUE_ALERT_WEBHOOK_URL": f"http://hooks.example.org{TOKEN_PATH}"}, "https"),
        ({"HIPPIQUE_ALERT_WEBHOOK_URL": "not a url"}, "http"),
        ({"HIPPIQUE_ALERT_ATTEMPTS": "0"}, "HIPPIQUE_ALERT_ATTEMPTS"),
        ({"HIPPIQUE_ALERT_BUDGET_S": "0"}, "HIPPIQUE_ALERT_BUDGET_S"),
        ({"HIPPIQUE_ALERT_SMTP_PORT": "70000"}, "HIPPIQUE_ALERT_SMTP_PORT"),
        ({"HIPPIQUE_ALERT_SMTP_STARTTLS": "maybe"}, "on or off"),
    ],
)
def test_unusable_settings_are_refused_without_their_secrets(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        build_notifications(env)
    assert PASSWORD not in str(raised.value) and TOKEN_PATH not in str(raised.value)


def test_a_run_sends_to_both_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(user="alerts", password=PASSWORD) as (inbox, port), WebhookReceiver() as receiver:
        for name, value in {
            "HIPPIQUE_ALERT_SMTP_HOST": "127.0.0.1",
            "HIPPIQUE_ALERT_SMTP_PORT": str(port),
            "HIPPIQUE_ALERT_SMTP_STARTTLS": "off",
            "HIPPIQUE_ALERT_SMTP_USER": "alerts",
            "HIPPIQUE_ALERT_SMTP_PASSWORD": PASSWORD,
            "HIPPIQUE_ALERT_EMAIL_FROM": "hippique@example.org",
            "HIPPIQUE_ALERT_EMAIL_TO": "ops@example.org",
            "HIPPIQUE_ALERT_WEBHOOK_URL": receiver.url + TOKEN_PATH,
            "HIPPIQUE_ALERT_BACKOFF_S": "0.01",
            "HIPPIQUE_UI_URL": "http://127.0.0.1:3000",
        }.items():
            monkeypatch.setenv(name, value)

        @asset
        def alerting(context: AssetExecutionContext, notifications: NotificationsResource) -> list[bool]:
            alert = Alert.create(
                "warning",
                "h30_run_late",
                "H-30 run started late",
                day="2026-03-23",
                race_key="2026-03-23-R1C4",
                fields={"race": "2026-03-23-R1C4", "phase": "h30"},
                run_url=notifications.run_url(context.run_id),
            )
            return [delivery.ok for delivery in notifications.send(alert)]

        result = materialize([alerting], resources={"notifications": build_notifications()})
    assert result.success
    assert result.output_for_node("alerting") == [True, True]
    run_link = f"http://127.0.0.1:3000/runs/{result.run_id}"
    [mail] = inbox.mails
    assert mail.login == "alerts" and run_link in mail.body
    assert "WARNING" in mail.message["Subject"]
    [post] = receiver.posts
    assert post.path == TOKEN_PATH and post.json["alert"]["run_url"] == run_link


def test_a_misconfigured_channel_is_reported_and_the_other_still_sends(alert: Alert) -> None:
    with WebhookReceiver([Answer(204, b"")]) as receiver:
        notifications = NotificationsResource(
            smtp_host="127.0.0.1", email_to=["ops@example.org"], webhook_url=receiver.url + TOKEN_PATH
        )
        email, webhook = notifications.process_config_and_initialize().send(alert)
    assert (email.channel, email.ok, email.attempts) == ("email", False, 0)
    assert email.error is not None and "HIPPIQUE_ALERT_EMAIL_FROM" in email.error
    assert (webhook.channel, webhook.ok) == ("webhook", True)
    assert len(receiver.posts) == 1


def test_the_alert_settings_are_typed_trimmed_and_named_in_their_errors() -> None:
    settings = AlertSettings.load(
        {
            "HIPPIQUE_ALERT_SMTP_HOST": " smtp.example.org ",
            "HIPPIQUE_ALERT_SMTP_PORT": "2525",
            "HIPPIQUE_ALERT_SMTP_USER": "alerts",
            "HIPPIQUE_ALERT_SMTP_PASSWORD": PASSWORD,
            "HIPPIQUE_ALERT_EMAIL_TO": "ops@example.org,, oncall@example.org",
            "HIPPIQUE_ALERT_WEBHOOK_URL": "   ",
            "HIPPIQUE_UI_URL": "",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.email_to) == (
        "smtp.example.org",
        2525,
        ("ops@example.org", "oncall@example.org"),
    )
    assert settings.webhook_url is None and settings.ui_url is None  # blank or empty: unset
    assert PASSWORD not in repr(settings)
    assert (settings.attempts, settings.budget_s, settings.smtp_starttls) == (3, 20.0, True)
    for env, message in (
        (
            {"HIPPIQUE_ALERT_SMTP_PORT": "70000"},
            "HIPPIQUE_ALERT_SMTP_PORT must be a TCP port (1 to 65535), got '70000'",
        ),
        ({"HIPPIQUE_ALERT_BUDGET_S": "0"}, "HIPPIQUE_ALERT_BUDGET_S must be > 0, got '0'"),
        ({"HIPPIQUE_ALERT_ATTEMPTS": "two"}, "HIPPIQUE_ALERT_ATTEMPTS must be a whole number, got 'two'"),
        (
            {"HIPPIQUE_ALERT_SMTP_PASSWORD": PASSWORD},
            "HIPPIQUE_ALERT_SMTP_USER and HIPPIQUE_ALERT_SMTP_PASSWORD go together",
        ),
    ):
        with pytest.raises(SettingsError) as raised:
            AlertSettings.load(env)
        assert str(raised.value) == message
