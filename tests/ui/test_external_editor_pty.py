"""Alt+E in a real terminal: the tutor suspends, the student's $EDITOR edits the exercise's file,
and the tutor comes back showing the edited cell. Run as a student runs it: `python -m cdc_tutor`
in a pty of 80x24, keys as bytes, the screen read back from the pty."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "exercise_course"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")
# A real program as the editor: sed edits the file in place, as a person would in vi, and exits 0.
EDITOR = "sed -i 's/return None  # TODO/return x * 2  # from-sed/'"


class Terminal:
    """The tutor in a pty; `wait_for` reads until a text shows, `press` writes key bytes."""

    def __init__(self, data_dir: Path) -> None:
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "EDITOR": EDITOR,
            "CDC_TUTOR_DATA_DIR": str(data_dir),
            "CDC_TUTOR_CONFIG": str(data_dir / "no-config.toml"),
        }
        env.pop("VISUAL", None)
        env.pop("CDC_TUTOR_BOOTSTRAP_SERVERS", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(sys.executable, [sys.executable, "-m", "cdc_tutor", "--lessons", str(COURSE)], env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        wanted, start = text.encode(), len(self.seen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted in ANSI.sub(b"", self.seen[start:]):
                return
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    break
        tail = ANSI.sub(b"", self.seen[-3000:]).decode("utf-8", "replace")
        raise AssertionError(f"{text!r} did not show within {timeout} s; the screen ended with:\n{tail}")

    def press(self, keys: bytes, settle: float = 0.3) -> None:
        os.write(self.fd, keys)
        time.sleep(settle)

    def close(self) -> None:
        try:
            os.write(self.fd, b"\x11")  # Ctrl+Q
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    return
                select.select([self.fd], [], [], 0.2) and os.read(self.fd, 65536)
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        finally:
            os.close(self.fd)


def test_alt_e_opens_the_exercise_in_the_students_editor_and_reads_it_back(tmp_path):
    data_dir = tmp_path / "data"
    terminal = Terminal(data_dir)
    try:
        terminal.wait_for("Упражнение в редакторе")  # the catalog lists the lesson
        terminal.press(b"\r")  # open it
        terminal.wait_for("Сначала данные")
        terminal.press(b"\x05")  # Ctrl+E: the editor
        terminal.press(b"\x0e")  # Ctrl+N: the exercise cell
        terminal.wait_for("«double»")
        terminal.press(b"\x1be", settle=0)  # Alt+E: ESC then e
        terminal.wait_for("from-sed")  # back in the tutor, the cell as the editor left it
        saved = data_dir / "work" / "module-1" / "01-exercise" / "double.py"
        assert "return x * 2  # from-sed" in saved.read_text(encoding="utf-8")
        assert oct(saved.stat().st_mode & 0o777) == "0o600"
    finally:
        terminal.close()
