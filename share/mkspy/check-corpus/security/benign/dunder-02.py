# benign: __name__ and __doc__
import logging

logger = logging.getLogger(__name__)
DOC = logging.__doc__
