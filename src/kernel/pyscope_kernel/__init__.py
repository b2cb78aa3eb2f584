# pyscope's Jupyter kernel: ipykernel's IPython kernel with pyscope's agent as its debugger,
# answering the Jupyter debug protocol (JEP 47) in the kernel's own process, without debugpy and
# without any TCP port.
