"""The analysis and the betting: H-5 decisions and tickets, settlement, the ledger, the model."""
