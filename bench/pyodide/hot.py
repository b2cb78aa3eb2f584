import sys
import time


def unrelated():
    return 'never called'


def small(x):
    return x + 1


def main(n):
    acc = 0
    # wall time inside the worker: Pyodide has no per-thread CPU clock
    t0 = time.perf_counter()
    for _ in range(n):
        acc = small(acc)
    elapsed = time.perf_counter() - t0
    print('elapsed %.6f' % elapsed)


main(int(sys.argv[1]))
