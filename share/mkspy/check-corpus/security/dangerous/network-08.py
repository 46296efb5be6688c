# expect: SEC010 (webbrowser.open)
import webbrowser

webbrowser.open("http://198.51.100.7")
