export class MongoDriver {

    /**
     * Validate driver options to make sure everything is correct and driver will be able to establish connection.
     *
     * @param options
     */
    protected validateOptions(options: DataSourceOptions) {
        // todo: fix
        // if (!options.url) {
        //     if (!options.database)
        //         throw new DriverOptionNotSetError("database");
        // }
    }
}
