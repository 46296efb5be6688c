# expect: SEC003 (os.__getattribute__)
import os

os.__getattribute__("system")("id")
