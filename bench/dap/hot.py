import sys
import time


def unrelated():
    return 'never called'


def small(x):
    return x + 1


def main(n):
    acc = 0
    # CPU time of this thread: the machine is shared, and other processes' load must not count
    t0 = time.thread_time()
    for _ in range(n):
        acc = small(acc)
    elapsed = time.thread_time() - t0
    print('elapsed %.6f' % elapsed)


main(int(sys.argv[1]))
