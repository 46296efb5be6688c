# expect: SEC011 (os.getenv('GITHUB_TOKEN'))
import os

token = os.getenv("GITHUB_TOKEN")
