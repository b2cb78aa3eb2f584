# The adapter issue's loop: 2 million calls of a small function, with a breakpoint in the same
# file in a function that is never called. Prints the loop's own time so startup is not counted.
import sys
import time


def unrelated():
    return 'never called'


def small(x):
    return x + 1


def main(n):
    acc = 0
    for _ in range(n):
        acc = small(acc)
    return acc


t0 = time.perf_counter()
main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000000)
print('loop-seconds %.6f' % (time.perf_counter() - t0))
