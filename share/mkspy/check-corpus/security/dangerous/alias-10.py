# expect: SEC001 (eval stored in a dict)
handlers = {"run": eval}
handlers["run"]("1")
