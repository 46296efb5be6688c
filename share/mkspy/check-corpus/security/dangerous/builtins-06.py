# expect: SEC006 (globals().get with a computed name)
name = "ev" + "al"
fn = globals().get(name)
