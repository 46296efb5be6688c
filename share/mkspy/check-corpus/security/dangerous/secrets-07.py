# expect: SEC011 (os.environ.get('DB_PASSWORD'))
import os

password = os.environ.get("DB_PASSWORD", "")
