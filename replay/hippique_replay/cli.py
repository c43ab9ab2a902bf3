"""``hippique replay``: serve a generated or recorded PMU API on loopback, or write generated days to files."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType

import click

from hippique_assets.racing.clock import Clock, parse_clock
from hippique_replay.fault_spec import describe_fault_plan, load_fault_plan
from hippique_replay.faults import FaultPlan, FaultSpecError
from hippique_replay.request_log import RequestRecord
from hippique_replay.server import ReplayBindError, ReplayServer
from hippique_replay.sources import FolderSource, GeneratedSource, Source

# Dates as plain click DateTimes: importing hippique_assets.cli would load the whole Dagster stack
# into a process that only serves files.
DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def replay() -> None:
    """A stand-in for the PMU turfinfo API: generated or recorded days served on loopback."""


def _clock(spec: str | None) -> Clock | None:
    if spec is None or spec == "final":
        return None
    try:
        return parse_clock(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--clock") from None


def _faults(spec: str | None) -> FaultPlan | None:
    if spec is None:
        return None
    try:
        return load_fault_plan(spec)
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None


@replay.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8061, show_default=True, help="0 picks a free port."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Loopback address to bind (127.0.0.1, ::1)."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated world.")
@click.option(
    "--clock",
    "clock_spec",
    default=None,
    help="final (default: every day finished), real, at:ISO (frozen) or fast:ISO:FACTOR (accelerated).",
)
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Serve recorded responses from this folder (root/programme/DDMMYYYY.json ...) instead of generating.",
)
@click.option(
    "--faults",
    "faults_spec",
    default=None,
    help=(
        'Fault plan: a spec such as "5xx=0.1,429=0.05:2,slow=0.05:2.0,seed=7" or a .toml/.json file. '
        "Hostile answers go by bursts on a request number of the matching paths: "
        "burst=KIND:START[:COUNT][@PATH_REGEX] with KIND 204, shrink, huge, drip, redirect_offhost or "
        "redirect_scheme, or burst=mutate:zero|overflow|nan|wrong_type[=POINTER_OR_KEY]:START[:COUNT][@PATH_REGEX] "
        '(e.g. "burst=204:1@/programme/23032026$"); huge_bytes=N, drip_bytes=N, drip_interval_s=S, '
        "redirect_host=IP and redirect_port=N shape them."
    ),
)
@click.option(
    "--cache-days", type=click.IntRange(min=1), default=8, show_default=True, help="Generated days kept."
)
@click.option("--quiet", is_flag=True, help="Do not print a line per request.")
def serve(
    port: int,
    host: str,
    seed: int,
    clock_spec: str | None,
    folder: Path | None,
    faults_spec: str | None,
    cache_days: int,
    quiet: bool,
) -> None:
    """Serve the PMU API paths until Ctrl-C or SIGTERM, printing one line per request."""
    clock = _clock(clock_spec)
    faults = _faults(faults_spec)
    source: Source = (
        FolderSource(folder) if folder is not None else GeneratedSource(seed, cache_days=cache_days)
    )

    def echo_request(record: RequestRecord) -> None:
        click.echo(record.line())

    try:
        server = ReplayServer(
            source,
            host=host,
            port=port,
            clock=clock,
            faults=faults,
            on_request=None if quiet else echo_request,
        )
    except ReplayBindError as exc:
        raise click.BadParameter(str(exc), param_hint="--host") from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    try:
        server.start()
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            # One write, so request lines from handler threads cannot land inside the banner.
            click.echo(
                f"Replaying {source!r} at {server.base_url}\n"
                f"clock: {'final state' if clock is None else repr(clock)}; "
                f"faults: {describe_fault_plan(faults) if faults else 'none'}\n"
                f"control: {server.root_url}/_replay/clock  {server.root_url}/_replay/health"
            )
            while not stop.wait(0.5):
                pass
            stats = server.stats
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    statuses = ", ".join(
        f"{k if k is not None else 'no answer'}: {v}" for k, v in sorted(stats.statuses.items(), key=str)
    )
    click.echo(f"Stopped after {stats.requests} requests ({statuses or 'none'}).")


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO instant", param_hint="--as-of") from None
    if instant.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no timezone (add Z or +01:00)", param_hint="--as-of")
    return instant


@replay.command()
@click.option("--date", "start", type=DATE, required=True, help="First day to write.")
@click.option("--to", "end", type=DATE, default=None, help="Last day to write (inclusive; default: --date).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated world.")
@click.option(
    "--as-of", "as_of", default=None, help="Write the state at this ISO instant (default: final state)."
)
def generate(start: datetime, end: datetime | None, out: Path, seed: int, as_of: str | None) -> None:
    """Write generated days as API responses under OUT (the layout ``serve --folder`` reads)."""
    instant = _as_of(as_of)
    first, last = start.date(), (end or start).date()
    if last < first:
        raise click.BadParameter(f"{last} is before --date {first}", param_hint="--to")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # Imported here: the generator pulls numpy, which the other commands do not need at start-up.
    from hippique_replay.generator import write_day

    total = 0
    for day in days:
        written = write_day(day, out, seed=seed, as_of=instant)
        total += len(written)
        click.echo(f"{day.isoformat()}: {len(written)} files")
    click.echo(f"Wrote {total} files for {len(days)} day(s) under {out}")


if __name__ == "__main__":
    replay(prog_name="hippique replay")
