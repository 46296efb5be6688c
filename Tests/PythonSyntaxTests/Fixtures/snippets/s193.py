try:
    pass
except A as e.f:
    pass
