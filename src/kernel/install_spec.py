# Run by `pyscope kernel install` with the interpreter the kernel is for:
#
#   python install_spec.py STAGING_DIR (user|sys-prefix)
#
# STAGING_DIR holds launch.py and the packages; this adds kernel.json (this interpreter, by its
# absolute path) and installs the folder as the kernelspec pyscope-python3 with jupyter_client.
# Prints the installed folder, or one line of why not (exit 1).
import json
import os
import sys

NAME = 'pyscope-python3'


def fail(text):
    sys.stderr.write(text + '\n')
    sys.exit(1)


def main(staging, where):
    if sys.version_info < (3, 8):
        fail('%s is Python %d.%d: the kernel needs 3.8 or newer' % ((sys.executable,) + tuple(sys.version_info[:2])))
    try:
        import ipykernel  # noqa: F401
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError as e:
        fail('%s cannot import %s: install ipykernel into it (%s -m pip install ipykernel)' % (sys.executable, e.name, sys.executable))
    spec = {
        'argv': [sys.executable, '{resource_dir}' + os.sep + 'launch.py', '-f', '{connection_file}'],
        'display_name': 'Python 3 (pyscope)',
        'language': 'python',
        'interrupt_mode': 'signal',
        'metadata': {'debugger': True},
    }
    with open(os.path.join(staging, 'kernel.json'), 'w') as f:
        json.dump(spec, f, indent=1)
    kwargs = {'user': True} if where == 'user' else {'prefix': sys.prefix}
    try:
        dest = KernelSpecManager().install_kernel_spec(staging, NAME, replace=True, **kwargs)
    except OSError as e:
        fail('cannot install the kernelspec: %s' % e)
    print(dest)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
