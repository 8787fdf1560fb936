"""Code that hostile answer cells share (as text, indented like the cells that embed it): reaching the
child's socket to the grader and writing frames of the wire format by hand."""

WIRE = """
    import json, os, struct
    def _socket():
        \"\"\"The descriptor of this child's socket to the grader.\"\"\"
        for name in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                    return int(name)
            except OSError:
                pass
    def frame(header, body=b""):
        data = header if isinstance(header, bytes) else json.dumps(header).encode()
        return struct.pack(">Q", len(data)) + data + body
"""
