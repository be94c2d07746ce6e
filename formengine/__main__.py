import sys

from formengine.cli import main

sys.exit(main())
