# benign: re.compile
import re

pattern = re.compile(r"\d+")
