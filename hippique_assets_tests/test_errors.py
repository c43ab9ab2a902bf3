from hippique_assets.errors import first_line


def test_first_line_is_the_message_first_line_or_the_type_name() -> None:
    assert first_line(ConnectionError("\n  server closed the connection\nDETAIL: more\n")) == (
        "server closed the connection"
    )
    assert first_line(TimeoutError()) == "TimeoutError"
    assert first_line(ValueError("   ")) == "ValueError"
