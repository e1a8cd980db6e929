"""``python -m magento_netsuite.errorqueue``: see :mod:`magento_netsuite.errorqueue.cli`."""

import sys

from magento_netsuite.errorqueue.cli import main

sys.exit(main())
