# expect: SEC001 (code.InteractiveInterpreter)
import code

code.InteractiveInterpreter().runsource("print(1)")
