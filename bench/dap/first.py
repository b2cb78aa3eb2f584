import sys
value = len(sys.argv)
print(value)
