/**
 * Serving under load, above the scenario stage (it runs the forecasters that scenarios build): the requests a service
 * sees ({@link life.serving.Workload}: arrivals at a rate, all at once or from a fixed number of clients; prompt and
 * output lengths fixed or drawn, seeded).
 */
package life.serving;
