"""Start the what-if page: ``streamlit run`` on ``sim/app/page.py``, local only, and open it in the browser.

``python -m sim serve [--port 8501] [--study DIR] [--no-browser]`` (``sim.commands.serve``) and ``python -m sim.app``
come here.  Streamlit runs in a process of its own (its server, not this one, imports the page), headless (no
prompt, no file watcher) and without usage statistics; the page listens on 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Optional, Sequence

PAGE = Path(__file__).with_name("page.py")


def command(port: int, study: Optional[str] = None, address: str = "127.0.0.1") -> list[str]:
    """The command line that serves the page."""
    return [sys.executable, "-m", "streamlit", "run", str(PAGE), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--global.developmentMode", "false", "--client.toolbarMode", "viewer",
            "--",
            *(["--study", study] if study else [])]


def _open_when_up(url: str, address: str, port: int, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection((address, port), timeout=1.0):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.5)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim serve", description=(
        "The what-if page: pick reforms, their strength and date, and office headcounts; see a screening estimate "
        "of each lead time's change at once, then confirm it by a paired simulation from cached start states."))
    parser.add_argument("--port", type=int, default=8501, help="the local port (default 8501)")
    parser.add_argument("--study", default=None, help="a break-even multirun folder to fit the reform estimate to "
                        "(default: the committed docs/findings/breakeven.md)")
    parser.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if importlib.util.find_spec("streamlit") is None:
        print("fms-sim serve: error: Streamlit is not installed; install the app extra: "
              "python -m pip install -c constraints.txt -e '.[app]'", file=sys.stderr)
        return 2
    if args.study and not Path(args.study).is_dir():
        print(f"fms-sim serve: error: --study {args.study}: not a folder; allowed: a break-even multirun folder",
              file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{args.port}"
    print(f"fms-sim: the what-if page at {url} (Ctrl-C stops it)", file=sys.stderr)
    if not args.no_browser:
        threading.Thread(target=_open_when_up, args=(url, "127.0.0.1", args.port), daemon=True).start()
    from sim.runner import Stopped, stop_on_signals

    server = subprocess.Popen(command(args.port, args.study))
    try:
        with stop_on_signals():  # Ctrl-C or SIGTERM: the server (and its running confirmation) stop too
            return server.wait()
    except (KeyboardInterrupt, Stopped) as e:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        return 128 + (e.signum if isinstance(e, Stopped) else 2)
