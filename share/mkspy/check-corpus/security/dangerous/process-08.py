# expect: SEC003 (multiprocessing)
import multiprocessing


def work():
    pass


multiprocessing.Process(target=work).start()
