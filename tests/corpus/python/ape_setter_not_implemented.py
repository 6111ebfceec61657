# Excerpt from eth-ape 0.8.52, src/ape_node/provider.py (Apache-2.0 licence)
class GethDev(EthereumNodeProvider, TestProviderAPI, SubprocessProvider):
    @property
    def auto_mine(self) -> bool:
        if self.process is not None:
            # Geth --dev auto mines.
            return True

        try:
            return self.make_request("eth_mining", [])
        except NotImplementedError:
            # Assume true; unlikely to be off. Geth --dev automines.
            return True

    @auto_mine.setter
    def auto_mine(self, value):
        raise NotImplementedError("'auto_mine' setter not implemented.")
