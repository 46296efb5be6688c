try: pass
except: pass
except a: pass
