# benign: operator.attrgetter on a field
import operator

by_name = operator.attrgetter("name")
strip = operator.methodcaller("strip")
