# Excerpt from docutils 0.21.2, docutils/writers/manpage.py (public domain)
class Translator(nodes.NodeVisitor):
    def visit_header(self, node):
        raise NotImplementedError(node.astext())

    def unimplemented_visit(self, node):
        raise NotImplementedError('visiting unimplemented node type: %s'
                                  % node.__class__.__name__)
