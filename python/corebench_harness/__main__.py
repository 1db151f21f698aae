"""Entry point for ``python3 -m corebench_harness`` (see the package docstring).

multiprocessing's ``spawn`` children import this module as ``__mp_main__``; the guard keeps them
from starting a second session.
"""
import sys

from corebench_harness.session import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
