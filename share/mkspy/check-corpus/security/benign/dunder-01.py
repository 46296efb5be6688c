# benign: class names
class Report:
    def title(self):
        return f"{self.__class__.__name__} / {type(self).__name__}"
