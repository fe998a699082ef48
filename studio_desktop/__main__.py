import sys

from studio_desktop.cli import main

sys.exit(main())
