"""`python -m cdc_tutor` runs the same CLI as the `cdc-tutor` script."""

from cdc_tutor.cli import main

raise SystemExit(main())
