/**
 * Gasok core: tensors, reverse-mode autograd, the operation definitions, the backend SPI and the
 * scalar reference backend that every other backend is tested against.
 */
module io.gasok {
    exports io.gasok;
    exports io.gasok.spi;
    exports io.gasok.nn;
    exports io.gasok.optim;
    exports io.gasok.io;
    exports io.gasok.data;

    uses io.gasok.spi.BackendProvider;
    provides io.gasok.spi.BackendProvider with io.gasok.reference.ReferenceBackendProvider;
}
