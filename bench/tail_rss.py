"""Child of bench/tail.py: tail COUNT messages of TOPIC, print the process's peak RSS as JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cdc_tutor.cdc.summary import summarize  # noqa: E402
from cdc_tutor.kafka.tail import TopicTail  # noqa: E402


def main(bootstrap: str, topic: str, count: int) -> None:
    if count:
        tail = TopicTail(bootstrap, [topic], from_start=True).start()
        while True:
            view = tail.buffer.view(limit=500)
            for entry in view.entries[-50:]:  # what a pane would draw: decoded and summarised
                summarize(entry)
            if view.received >= count:
                break
            time.sleep(0.2)
        tail.stop()
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would report the parent's broker.
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    print(json.dumps({"peak_rss_mb": round(peak_kb / 1024, 1)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
