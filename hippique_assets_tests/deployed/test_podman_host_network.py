"""The podman wrapper that lets Debian's podman-compose 1.0.3 run services on the host's network."""

from __future__ import annotations

from hippique_assets_tests.deployed.podman_host_network import without_compose_network

COMPOSE_NETWORK = ["--net", "p_default", "--network-alias", "webserver"]


def test_a_host_network_run_loses_the_compose_network_and_keeps_everything_else():
    args = [
        "run",
        "--name=p_webserver_1",
        "-d",
        "--network",
        "host",
        *COMPOSE_NETWORK,
        "-e",
        "A=1",
        "img",
        "cmd",
    ]
    assert without_compose_network(args) == [
        "run",
        "--name=p_webserver_1",
        "-d",
        "--network",
        "host",
        "-e",
        "A=1",
        "img",
        "cmd",
    ]
    create = ["create", "--network", "host", *COMPOSE_NETWORK, "img"]
    assert without_compose_network(create) == ["create", "--network", "host", "img"]


def test_other_calls_go_to_podman_unchanged():
    bridge = ["run", "-d", *COMPOSE_NETWORK, "img"]
    assert without_compose_network(bridge) == bridge
    assert without_compose_network(["network", "exists", "p_default"]) == ["network", "exists", "p_default"]
    assert without_compose_network([]) == []
