# expect: SEC007 (getattr(os, 'sys' + 'tem'))
import os

getattr(os, "sys" + "tem")("id")
