try:
    pass
except ValueError as e:
    pass
except (TypeError, KeyError):
    pass
except:
    pass
else:
    pass
finally:
    pass
try:
    pass
except* ValueError:
    pass
except* (A, B) as eg:
    pass
try:
    pass
finally:
    pass
raise
raise X from None
raise X() from e
