import sys

from simdr_lite.bench import available, run

if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    print(f"usage: python -m simdr_lite.bench NAME [args]   (NAME: {', '.join(available() + ['all'])})")
    sys.exit(0 if len(sys.argv) >= 2 else 2)
run(sys.argv[1], sys.argv[2:])
