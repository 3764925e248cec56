System.Console.WriteLine("pipeline");
