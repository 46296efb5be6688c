# expect: SEC001 (code.interact)
import code

code.interact()
