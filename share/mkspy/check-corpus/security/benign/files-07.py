# benign: writing to an in-memory buffer and stdout
import io
import sys

buf = io.StringIO()
buf.write("x")
sys.stdout.write(buf.getvalue())
