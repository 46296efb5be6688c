try:
    pass
except* A:
    pass
else:
    pass
finally:
    pass
