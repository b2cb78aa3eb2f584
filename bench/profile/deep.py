# The profiler benchmark's target: CPU-bound work 20 Python frames deep, optionally with idle
# threads beside it. Prints "ready" once at depth, then, at the end, how much work it got done
# (its throughput is what a profiler slows down).
import sys
import threading
import time

# <module>, main, descend(3..19) and work: 20 frames.
DEPTH = 19


def work(seconds):
    done = 0
    end = time.time() + seconds
    while time.time() < end:
        x = 0
        for i in range(2000):
            x += i * i
        done += 1
    return done


def descend(level, seconds):
    if level < DEPTH:
        return descend(level + 1, seconds)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    return work(seconds)


def idle():
    threading.Event().wait()


def main():
    seconds = float(sys.argv[1])
    idle_threads = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    for _ in range(idle_threads):
        t = threading.Thread(target=idle)
        t.daemon = True
        t.start()
    start = time.time()
    done = descend(3, seconds)
    sys.stdout.write("done %d %.6f\n" % (done, time.time() - start))
    sys.stdout.flush()


main()
