# expect: SEC008 (frame walking)
import inspect

caller = inspect.currentframe().f_back.f_globals
