"""The practice layer: a lesson's kernel, run queue, outages and checks, with no Textual.

Its two clients are the TUI (cdc_tutor.ui.lesson_kernel adapts its events into messages) and
`cdc-tutor verify` (cdc_tutor.practice.verify). Rules that must not differ between them (when an
outage starts, whether a lesson needs a kernel, how lagging state is judged) live here once.
"""
