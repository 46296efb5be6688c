# expect: SEC005 (marshal.loads)
import marshal


def restore(blob):
    return marshal.loads(blob)
