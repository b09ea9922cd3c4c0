// Prints every GraphQL document shopsync sends, with its example variables, as the JSON array
// check_documents.js validates.
#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <iostream>

int main() {
  shopsync::json_writer w;
  w.begin_array();
  for (auto* list : {&shopsync::graphql::all_documents(), &shopsync::graphql::bulk_documents()})
    for (auto& d : *list) {
      w.begin_object().field("operation", d.operation).field("query", d.query);
      w.key("variables").raw(d.example_variables);
      w.end_object();
    }
  w.end_array();
  std::cout << w.str() << '\n';
  return 0;
}
