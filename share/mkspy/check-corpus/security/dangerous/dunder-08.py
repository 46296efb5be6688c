# expect: SEC008 (gc.get_objects)
import gc

objects = gc.get_objects()
